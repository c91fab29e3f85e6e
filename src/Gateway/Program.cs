using GoldbachActors.Gateway;

await GatewayApplication.Build(new WebApplicationOptions { Args = args }).RunAsync();
