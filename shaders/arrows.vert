// Instanced arrows. Per vertex, the arrow template: a_shape = (fraction of the
// arrow's length, offset along it in pixels, offset across it in half-widths);
// per instance: the tail (world) and the arrow vector (world units).
layout(location = 0) in vec3 a_shape;
layout(location = 1) in vec2 a_tail;
layout(location = 2) in vec2 a_vector;
uniform vec2 u_centre;
uniform float u_pixelsPerUnit;
uniform vec2 u_viewport;
uniform float u_halfWidth; // shaft half width in pixels
uniform float u_head;      // head length in pixels (at most 40% of the arrow)
void main()
{
    vec2 v = a_vector * u_pixelsPerUnit;
    float len = length(v);
    vec2 dir = len > 1e-6 ? v / len : vec2(1.0, 0.0);
    vec2 across = vec2(-dir.y, dir.x);
    float head = min(u_head, 0.4 * len);
    // Shaft vertices have |a_shape.z| = 1; head corners 3 (wider than the shaft).
    float along = a_shape.x * len + a_shape.y * head;
    vec2 px = (a_tail - u_centre) * u_pixelsPerUnit + dir * along + across * a_shape.z * u_halfWidth;
    gl_Position = vec4(2.0 * px / u_viewport, 0.0, 1.0);
}
