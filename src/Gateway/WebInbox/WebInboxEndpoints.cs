using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace GoldbachActors.Gateway.WebInbox;

/// <summary>
/// Serves the web inbox (a static single-page app that talks to the staff API over gRPC-Web on the same origin) at
/// <c>/</c>, with a strict content security policy: scripts, styles and API calls only from the gateway itself.
/// </summary>
public static partial class WebInboxEndpoints
{
    // Where the town's OpenID provider sends staff back after signing in (the app finishes it; src/WebInbox/src/auth.ts).
    private const string SignInCallback = "/auth/callback";

    /// <summary>
    /// The policy for the inbox: blob: for photos, voice notes and videos fetched with the staff token; nothing inline;
    /// calls to the gateway itself and to the OpenID provider (discovery, the token endpoint), no other origin.
    /// </summary>
    public static string ContentSecurityPolicy(string? authority)
    {
        var provider = Uri.TryCreate(authority, UriKind.Absolute, out var uri) ? " " + uri.GetLeftPart(UriPartial.Authority) : "";
        return $"default-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; connect-src 'self'{provider}; " +
            "style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
    }

    public static WebApplicationBuilder AddWebInbox(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<WebInboxOptions>().Bind(builder.Configuration.GetSection(WebInboxOptions.SectionName));
        return builder;
    }

    public static WebApplication UseWebInbox(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var configured = app.Services.GetRequiredService<IOptions<WebInboxOptions>>().Value.Path;
        var root = System.IO.Path.GetFullPath(configured, AppContext.BaseDirectory);
        // Read when first needed: the options are validated when the host starts, not while it is built.
        var policy = new Lazy<string>(() => ContentSecurityPolicy(app.Services.GetRequiredService<IOptions<Staff.StaffAuthenticationOptions>>().Value.Authority));
        app.Use(async (context, next) =>
        {
            if (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
            {
                var headers = context.Response.Headers;
                headers[HeaderNames.ContentSecurityPolicy] = policy.Value;
                headers[HeaderNames.XContentTypeOptions] = "nosniff";
                headers["Referrer-Policy"] = "no-referrer";
            }
            await next(context);
        });
        if (!File.Exists(System.IO.Path.Combine(root, "index.html")))
        {
            LogNotBuilt(app.Logger, root);
            app.MapGet("/", () => Results.Text(
                "Das Web-Postfach ist nicht gebaut. Bitte 'npm run web:build' ausführen (./run.sh tut das selbst).\n",
                statusCode: StatusCodes.Status503ServiceUnavailable));
            return app;
        }
        var files = new PhysicalFileProvider(root);
        // The provider's redirects back land in the app itself, which finishes the sign-in.
        app.Use((context, next) =>
        {
            if (HttpMethods.IsGet(context.Request.Method) && context.Request.Path == SignInCallback)
            {
                context.Request.Path = "/index.html";
            }
            return next(context);
        });
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        var types = new Microsoft.AspNetCore.StaticFiles.FileExtensionContentTypeProvider();
        types.Mappings[".webmanifest"] = "application/manifest+json";
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            ContentTypeProvider = types,
            OnPrepareResponse = context =>
            {
                // Vite names assets by their content hash; everything else (index.html, the service worker, the
                // manifest and its icons) keeps its name and must be asked for again.
                context.Context.Response.Headers[HeaderNames.CacheControl] =
                    context.Context.Request.Path.StartsWithSegments("/assets") ? "public, max-age=31536000, immutable" : "no-cache";
            },
        });
        return app;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The web inbox is not built (no index.html in {Root}); '/' explains how to build it.")]
    private static partial void LogNotBuilt(ILogger logger, string root);
}
