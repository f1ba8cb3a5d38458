using Microsoft.AspNetCore.Authentication;

namespace BeatPass.Web.Authentication;

public sealed class ApiTokenAuthenticationOptions : AuthenticationSchemeOptions;
