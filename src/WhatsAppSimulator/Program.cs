using GoldbachActors.WhatsAppSimulator;

await SimulatorApplication.Build(new WebApplicationOptions { Args = args }).RunAsync();
