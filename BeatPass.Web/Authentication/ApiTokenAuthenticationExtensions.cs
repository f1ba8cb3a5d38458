using Microsoft.AspNetCore.Authentication;

namespace BeatPass.Web.Authentication;

public static class ApiTokenAuthenticationExtensions
{
    public static AuthenticationBuilder AddApiToken(this AuthenticationBuilder builder) =>
        builder.AddScheme<ApiTokenAuthenticationOptions, ApiTokenAuthenticationHandler>(
            ApiTokenDefaults.AuthenticationScheme, configureOptions: null);
}
