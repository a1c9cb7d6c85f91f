// A textured quad over a world rectangle (u_rect = xMin, yMin, xMax, yMax).
layout(location = 0) in vec2 a_corner; // (0,0) .. (1,1)
uniform vec4 u_rect;
uniform vec2 u_centre;
uniform float u_pixelsPerUnit;
uniform vec2 u_viewport;
out vec2 v_uv;
void main()
{
    vec2 world = mix(u_rect.xy, u_rect.zw, a_corner);
    vec2 px = (world - u_centre) * u_pixelsPerUnit;
    gl_Position = vec4(2.0 * px / u_viewport, 0.0, 1.0);
    v_uv = a_corner;
}
