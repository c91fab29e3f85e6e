using GoldbachActors.Silo;

await SiloApplication.Build(new WebApplicationOptions { Args = args }).RunAsync();
