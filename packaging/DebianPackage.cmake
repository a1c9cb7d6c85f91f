# The Debian package of what packaging/CMakeLists.txt installs:
#   cpack -G DEB   (in the build tree; scripts/package.sh does it from a clean
#                   tree with the "package" preset, so the binary runs on any x86-64)
# Depends comes from dpkg-shlibdeps on the installed binaries (Qt, libc, GL...);
# ffmpeg is only recommended: the program runs without it, video export says
# that it is missing. Included by packaging/CMakeLists.txt.
# The project's own address, in the domain its app ID names (org.scorescope:
# packaging/CMakeLists.txt); a department that rebuilds the package for its
# machines puts its own: -DSCORESCOPE_PACKAGE_MAINTAINER="IT <it@dept.example.edu>".
set(SCORESCOPE_PACKAGE_MAINTAINER "ScoreScope maintainers <maintainers@scorescope.org>"
    CACHE STRING "Maintainer field of the Debian package (Name <email>)")

set(CPACK_PACKAGE_NAME scorescope)
set(CPACK_PACKAGE_VENDOR "ScoreScope")
set(CPACK_PACKAGE_CONTACT "${SCORESCOPE_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "lab for 2D score-based generative models")
# The long description: lines under 80 characters, as Debian shows them.
string(JOIN "\n" CPACK_PACKAGE_DESCRIPTION
  "ScoreScope trains small score networks on two-dimensional data sets and"
  "compares what they learned with the exact score of the data. Samplers from"
  "Langevin dynamics to the probability-flow ODE move particles through the"
  "learned or the exact field while you watch; lecture presets load prepared"
  "scenes. scorescope-cli runs the same core without a window, for scripted"
  "figures.")
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT) # scorescope_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS ffmpeg)
# No homepage: the project has none of its own yet.
set(CPACK_GENERATOR DEB)
include(CPack)
