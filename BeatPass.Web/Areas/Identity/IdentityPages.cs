namespace BeatPass.Web.Areas.Identity;

/// <summary>The addresses of the Identity UI's pages that BeatPass links to: their one home.</summary>
public static class IdentityPages
{
    public const string Login = "/Identity/Account/Login";
    public const string LoginWith2fa = "/Identity/Account/LoginWith2fa";
    public const string LoginWithRecoveryCode = "/Identity/Account/LoginWithRecoveryCode";
    public const string Register = "/Identity/Account/Register";
    public const string Logout = "/Identity/Account/Logout";

    /// <summary>Where deleting the account lands: it says the account is gone (ours, not Identity UI's).</summary>
    public const string AccountDeleted = "/Identity/Account/AccountDeleted";
    public const string AccessDenied = "/Identity/Account/AccessDenied";
    public const string ForgotPassword = "/Identity/Account/ForgotPassword";
    public const string ResendEmailConfirmation = "/Identity/Account/ResendEmailConfirmation";
    public const string Email = "/Identity/Account/Manage/Email";
    public const string ChangePassword = "/Identity/Account/Manage/ChangePassword";
    public const string TwoFactorAuthentication = "/Identity/Account/Manage/TwoFactorAuthentication";
    public const string PersonalData = "/Identity/Account/Manage/PersonalData";
    public const string RegisterConfirmation = "/Identity/Account/RegisterConfirmation";
    public const string ConfirmEmail = "/Identity/Account/ConfirmEmail";
    public const string Lockout = "/Identity/Account/Lockout";
    public const string ForgotPasswordConfirmation = "/Identity/Account/ForgotPasswordConfirmation";
    public const string ResetPassword = "/Identity/Account/ResetPassword";
    public const string ResetPasswordConfirmation = "/Identity/Account/ResetPasswordConfirmation";
    public const string Manage = "/Identity/Account/Manage";
    public const string EnableAuthenticator = "/Identity/Account/Manage/EnableAuthenticator";
    public const string ResetAuthenticator = "/Identity/Account/Manage/ResetAuthenticator";
    public const string ShowRecoveryCodes = "/Identity/Account/Manage/ShowRecoveryCodes";
    public const string Disable2fa = "/Identity/Account/Manage/Disable2fa";
    public const string DeletePersonalData = "/Identity/Account/Manage/DeletePersonalData";
    public const string DownloadPersonalData = "/Identity/Account/Manage/DownloadPersonalData";
    public const string GenerateRecoveryCodes = "/Identity/Account/Manage/GenerateRecoveryCodes";
    public const string ConfirmAccess = "/Identity/Account/Manage/ConfirmAccess";
}
