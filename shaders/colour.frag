// One uniform colour (arrows).
uniform vec4 u_colour;
out vec4 fragColour;
void main()
{
    fragColour = u_colour;
}
