// The colour-mapped heat map (already mapped on the CPU), with an opacity.
in vec2 v_uv;
uniform sampler2D u_texture;
uniform float u_opacity;
out vec4 fragColour;
void main()
{
    vec4 c = texture(u_texture, v_uv);
    fragColour = vec4(c.rgb, c.a * u_opacity);
}
