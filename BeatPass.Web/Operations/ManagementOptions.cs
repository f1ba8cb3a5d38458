namespace BeatPass.Web.Operations;

/// <summary>The operator's own address (section <c>Management</c>): metrics and probes, apart from the public one.</summary>
public sealed class ManagementOptions
{
    public const string SectionName = "Management";

    /// <summary>
    /// Where the app also listens, for <c>/metrics</c>, <c>/health/live</c> and <c>/health/ready</c> and nothing else
    /// (<c>;</c>-separated, as Kestrel takes them: <c>http://127.0.0.1:9464</c>, <c>http://+:9464</c>); unset, none of
    /// the three is served.
    /// </summary>
    public string? Urls { get; set; }

    public IReadOnlyList<string> Addresses => (Urls ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The ports of <see cref="Addresses"/>: a request that arrives on one of them is the operator's.</summary>
    public IReadOnlySet<int> Ports => Addresses.Select(address => BindingAddress.Parse(address).Port).ToHashSet();

    /// <summary>Null when every address is one Kestrel can listen on with a port of its own; else what is wrong.</summary>
    public string? Problem()
    {
        foreach (var address in Addresses)
        {
            try
            {
                if (BindingAddress.Parse(address) is not { Scheme: "http" or "https", Port: > 0 })
                {
                    return $"Management:Urls holds \"{address}\": give an http or https address with a port, such as http://127.0.0.1:9464.";
                }
            }
            catch (FormatException)
            {
                return $"Management:Urls holds \"{address}\", which is not an address Kestrel can listen on.";
            }
        }

        return null;
    }
}
