// Fading trails: the colour with the interpolated alpha.
in float v_alpha;
uniform vec4 u_colour;
out vec4 fragColour;
void main()
{
    fragColour = vec4(u_colour.rgb, u_colour.a * v_alpha);
}
