// Point sprites: one vertex per point, world coordinates in a_position.
layout(location = 0) in vec2 a_position;
uniform vec2 u_centre;      // world point at the viewport's centre
uniform float u_pixelsPerUnit;
uniform vec2 u_viewport;    // in pixels
uniform float u_pointSize;  // in pixels
void main()
{
    vec2 px = (a_position - u_centre) * u_pixelsPerUnit;
    gl_Position = vec4(2.0 * px / u_viewport, 0.0, 1.0);
    gl_PointSize = u_pointSize;
}
