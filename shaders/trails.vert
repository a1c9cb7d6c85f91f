// Trail segments: world position and the vertex's age-faded alpha.
layout(location = 0) in vec2 a_position;
layout(location = 1) in float a_alpha;
uniform vec2 u_centre;
uniform float u_pixelsPerUnit;
uniform vec2 u_viewport;
out float v_alpha;
void main()
{
    vec2 px = (a_position - u_centre) * u_pixelsPerUnit;
    gl_Position = vec4(2.0 * px / u_viewport, 0.0, 1.0);
    v_alpha = a_alpha;
}
