namespace GoldbachActors.Testing;

/// <summary>The checkout's root folder (where GoldbachActors.sln and package.json are).</summary>
public static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(System.IO.Path.Combine(directory.FullName, "GoldbachActors.sln")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new InvalidOperationException("GoldbachActors.sln not found above the test folder.");
    }
}
