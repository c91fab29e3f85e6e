using GoldbachActors.Cli;

return await CliCommands.Build().Parse(args).InvokeAsync();
