using System.Reflection;
using System.Text.Json;
using BeatPass.Core.Audit;
using BeatPass.Core.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace BeatPass.Web.Areas.Identity.Pages.Account.Manage;

/// <summary>
/// "Download" on Personal data: the account's personal data as JSON, with what else BeatPass keeps about the person
/// (<see cref="PersonalDataExport"/>: API tokens, security log, sessions, access requests). Unlike Identity's own
/// page, it leaves out the authenticator key: that is a secret, not data about the person, and with it anyone holding
/// the file (or a stolen cookie) could make codes that pass "Confirm access".
/// </summary>
public sealed class DownloadPersonalDataModel(
    UserManager<BeatPassUser> users, PersonalDataExport export, ILogger<DownloadPersonalDataModel> logger) : PageModel
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private static readonly PropertyInfo[] PersonalDataProperties =
        [.. typeof(BeatPassUser).GetProperties().Where(p => p.IsDefined(typeof(PersonalDataAttribute)))];

    public IActionResult OnGet() => NotFound();

    public async Task<IActionResult> OnPostAsync()
    {
        if (await users.GetUserAsync(User) is not { } user)
        {
            return NotFound();
        }

        logger.LogInformation("User {UserId} downloaded their personal data", user.Id);
        var personalData = PersonalDataProperties.ToDictionary(p => p.Name, p => p.GetValue(user)?.ToString() ?? "null");
        foreach (var login in await users.GetLoginsAsync(user))
        {
            personalData.Add($"{login.LoginProvider} external login provider key", login.ProviderKey);
        }

        var records = await export.CollectAsync(user.Id, HttpContext.RequestAborted);
        var file = new { Account = personalData, records.ApiTokens, records.SecurityLog, records.Sessions, records.AccessRequests };
        Response.Headers.ContentDisposition = "attachment; filename=PersonalData.json";
        return new FileContentResult(JsonSerializer.SerializeToUtf8Bytes(file, Json), "application/json");
    }
}
