// Round, softly edged point sprites in one colour.
uniform vec4 u_colour;
out vec4 fragColour;
void main()
{
    float r = length(gl_PointCoord - vec2(0.5)) * 2.0;
    if (r > 1.0) discard;
    float edge = 1.0 - smoothstep(0.75, 1.0, r);
    fragColour = vec4(u_colour.rgb, u_colour.a * edge);
}
