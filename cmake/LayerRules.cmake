# The layer rule of docs/architecture.md, enforced by the build in two halves:
# - links: scorescope_forbid_links(target forbidden...) stops the configure
#   step when target reaches a forbidden library through its links;
# - includes: the check_layers target (cmake/CheckLayers.cmake) runs on every
#   build and fails it when a source includes what its layer may not.
# The layer rule, checked when configuring: what draws without a window (the
# export library, and with it the command line's `render`) links no GL, no
# widgets and no worker. A forbidden link anywhere below them stops the
# configure step naming the path to it.
function(scorescope_forbid_links target)
  set(seen "")
  set(queue "${target}")
  while(queue)
    list(POP_FRONT queue current)
    if(current IN_LIST seen)
      continue()
    endif()
    list(APPEND seen ${current})
    if(current IN_LIST ARGN)
      message(FATAL_ERROR "${target} must not link ${current} (the layer rule in app/CMakeLists.txt)")
    endif()
    if(NOT TARGET ${current} OR current MATCHES "^Qt6::")
      continue() # a plain library, or Qt's own closure (Gui's GL is Qt's business)
    endif()
    get_target_property(type ${current} TYPE)
    set(deps "")
    if(NOT type STREQUAL "INTERFACE_LIBRARY")
      get_target_property(direct ${current} LINK_LIBRARIES)
      if(direct)
        list(APPEND deps ${direct})
      endif()
    endif()
    get_target_property(iface ${current} INTERFACE_LINK_LIBRARIES)
    if(iface)
      list(APPEND deps ${iface})
    endif()
    foreach(dep IN LISTS deps)
      string(REGEX REPLACE "^\\$<LINK_ONLY:(.*)>$" "\\1" dep "${dep}")
      if(NOT dep MATCHES "\\$<")
        list(APPEND queue ${dep})
      endif()
    endforeach()
  endwhile()
endfunction()
set(SCORESCOPE_GL_AND_UP Qt6::OpenGL Qt6::OpenGLWidgets Qt6::Widgets scorescope_view scorescope_engine scorescope_window)

add_custom_target(check_layers ALL
  COMMAND ${CMAKE_COMMAND} -DROOT=${PROJECT_SOURCE_DIR} -P ${PROJECT_SOURCE_DIR}/cmake/CheckLayers.cmake
  COMMENT "Checking the layer rule (docs/architecture.md)"
  VERBATIM)
