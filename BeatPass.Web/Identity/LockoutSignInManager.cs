using BeatPass.Core.Audit;
using BeatPass.Core.Data;
using BeatPass.Core.Email;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace BeatPass.Web.Identity;

/// <summary>
/// Identity's default sign-in page signs in with <c>lockoutOnFailure: false</c>, so wrong passwords could be tried
/// without end. Here wrong passwords are counted by <see cref="SignInFailureLimit"/>: per email and client address,
/// so a stranger who knows an address pauses signing in only from where they are, never the owner elsewhere, and
/// per email across addresses. When a pause begins the owner is told, by email and in the security log. Every
/// answer costs one password hash, whether the account exists, is paused, locked or unconfirmed, and a paused email
/// gets the same "Account locked" page whether or not it has an account: neither the answer nor its time tells.
/// </summary>
internal sealed class LockoutSignInManager(
    UserManager<BeatPassUser> userManager,
    IHttpContextAccessor contextAccessor,
    IUserClaimsPrincipalFactory<BeatPassUser> claimsFactory,
    IOptions<IdentityOptions> optionsAccessor,
    ILogger<SignInManager<BeatPassUser>> logger,
    IAuthenticationSchemeProvider schemes,
    IUserConfirmation<BeatPassUser> confirmation,
    SignInFailureLimit failures,
    IDbContextFactory<BeatPassDbContext> dbFactory,
    TimeProvider timeProvider)
    : SignInManager<BeatPassUser>(userManager, contextAccessor, claimsFactory, optionsAccessor, logger, schemes, confirmation)
{
    /// <summary>
    /// Set in the request's items to the account's email when the right password was given for an account whose email
    /// is not confirmed yet: the sign-in page then says so and offers the email again, instead of "Invalid login
    /// attempt.". A stranger with a wrong password learns nothing.
    /// </summary>
    public const string UnconfirmedEmailItem = "BeatPass.UnconfirmedEmail";

    // A hash of a random password, made once: verifying against it costs what verifying a real one does.
    private static readonly string DummyHash = new PasswordHasher<BeatPassUser>().HashPassword(new BeatPassUser(), Guid.NewGuid().ToString());

    public override async Task<SignInResult> PasswordSignInAsync(string userName, string password, bool isPersistent, bool lockoutOnFailure)
    {
        var address = Context.Connection.RemoteIpAddress;
        var user = await UserManager.FindByNameAsync(userName);
        if (failures.IsPaused(userName, address))
        {
            SpendAHash(password);
            return SignInResult.LockedOut;
        }

        if (user is null)
        {
            SpendAHash(password);
            return failures.CountFailure(userName, address) ? SignInResult.LockedOut : SignInResult.Failed;
        }

        var result = await base.PasswordSignInAsync(user, password, isPersistent, lockoutOnFailure: false);
        if (result.IsLockedOut)
        {
            // Answered before the password was checked: locked by wrong passwords in "Confirm access" or "Change password".
            SpendAHash(password);
            return result;
        }

        if (result.IsNotAllowed)
        {
            // Not confirmed yet, also answered before the password was checked: check it now (the same one hash), so
            // that only the right password learns why, and a wrong one counts like any other.
            if (await UserManager.CheckPasswordAsync(user, password))
            {
                Context.Items[UnconfirmedEmailItem] = user.Email;
                return result;
            }

            return failures.CountFailure(userName, address) ? SignInResult.LockedOut : SignInResult.Failed;
        }

        if (!result.Succeeded && !result.RequiresTwoFactor && failures.CountFailure(userName, address))
        {
            await TellOfPauseAsync(user, address);
            return SignInResult.LockedOut;
        }

        return result;
    }

    private void SpendAHash(string password) => UserManager.PasswordHasher.VerifyHashedPassword(new BeatPassUser(), DummyHash, password);

    private async Task TellOfPauseAsync(BeatPassUser user, System.Net.IPAddress? address)
    {
        var now = timeProvider.GetUtcNow().UtcDateTime;
        var from = address?.ToString() ?? "an unknown address";
        await using var db = await dbFactory.CreateDbContextAsync();
        db.RecordSecurityEvent(now, Actor.SignInLimit, user.Id, AuditAction.SignInPaused, tokenName: null,
            user.Email, to => SecurityNotices.SignInPaused(now, to, from, Options.Lockout.DefaultLockoutTimeSpan));
        await db.SaveChangesAsync();
        Logger.LogWarning("Signing in to user {UserId} from {Address} paused after wrong passwords", user.Id, from);
    }
}
