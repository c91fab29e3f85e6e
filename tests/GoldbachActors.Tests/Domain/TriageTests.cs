using GoldbachActors.Grains.Domain;

namespace GoldbachActors.Tests.Domain;

public sealed class TriageTests
{
    private readonly Triage _triage = new();

    [Theory]
    [InlineData("Vor meiner Einfahrt steht schon wieder ein Falschparker!", "Parkverstoß")]
    [InlineData("Die Schaukel am Spielplatz in der Ringstraße ist kaputt", "Spielplatz")]
    [InlineData("Am Glascontainer liegt überall Müll", "Vermüllung/Verschmutzung")]
    [InlineData("Am Glascontainer liegt ueberall Muell", "Vermüllung/Verschmutzung")]
    [InlineData("Wann hat das Rathaus am Freitag geöffnet?", "Öffnungszeiten")]
    [InlineData("Die Nachbarn machen seit Stunden Lärm", "Lärmbelästigung")]
    [InlineData("Die Nachbarn machen seit Stunden Laerm", "Lärmbelästigung")]
    [InlineData("Ist der Grillplatz am Samstag noch frei?", "Räumlichkeiten/Grillplatz")]
    [InlineData("Wer ist für Bauanträge zuständig?", "Erreichbarkeit von Mitarbeitenden")]
    [InlineData("Guten Tag, ich habe eine Frage", "Sonstiges")]
    [InlineData(null, "Sonstiges")]
    public void Messages_are_sorted_into_the_towns_categories(string? text, string category)
    {
        Assert.Equal(category, _triage.Assess(text).Category);
    }

    [Theory]
    [InlineData("Unfall an der Kreuzung, ein Radfahrer ist verletzt", true)]
    [InlineData("Im Wald brennt es!", true)]
    [InlineData("Wasserrohrbruch in der Hauptstraße", true)]
    [InlineData("Ein umgestürzter Baum blockiert die Straße", true)]
    [InlineData("Es riecht nach Gas im Treppenhaus", true)]
    [InlineData("Gasgeruch am Spielplatz", true)]
    [InlineData("Ich bin gestern mit dem Rad zum Rathaus gefahren", false)]
    [InlineData("Ich brauche einen Termin", false)]
    [InlineData("Die Schaukel ist kaputt", false)]
    public void Danger_makes_a_message_urgent_and_ordinary_words_do_not(string text, bool urgent)
    {
        Assert.Equal(urgent, _triage.Assess(text).Urgent);
    }

    [Fact]
    public void A_tenant_may_bring_its_own_categories()
    {
        var triage = new Triage(new Dictionary<string, string[]> { ["Kitzrettung"] = ["kitz", "rehkitz", "mahen"] });

        Assert.Equal("Kitzrettung", triage.Assess("Morgen wird die Wiese gemäht, bitte Kitze suchen").Category);
        Assert.Equal(Triage.Other, triage.Assess("Falschparker").Category);
    }

    [Fact]
    public void Folding_spells_out_umlauts_drops_accents_and_punctuation()
    {
        Assert.Equal("larm strasse cafe", Triage.Fold("Lärm, Straße! Café?"));
    }
}

public sealed class ConversationTriageTests
{
    private static readonly DateTimeOffset Saturday = new(2025, 5, 31, 10, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Monday = new(2025, 6, 2, 6, 0, 0, TimeSpan.Zero);
    private readonly Triage _triage = new();

    [Fact]
    public void An_ordinary_request_is_due_when_the_town_hall_opens_and_keeps_its_first_category()
    {
        var state = new GoldbachActors.Grains.Citizens.CitizenState();
        state.ApplyTriage(_triage.Assess("Hallo"), Saturday, Monday);
        state.ApplyTriage(_triage.Assess("Die Schaukel am Spielplatz ist kaputt"), Saturday.AddMinutes(1), Monday);
        state.ApplyTriage(_triage.Assess("Und jemand parkt falsch"), Saturday.AddMinutes(2), Monday);

        Assert.Equal(("Spielplatz", false, Monday), (state.Category, state.Urgent, state.DueAt));
    }

    [Fact]
    public void Danger_makes_the_conversation_urgent_and_due_at_once_even_at_night()
    {
        var state = new GoldbachActors.Grains.Citizens.CitizenState();
        state.ApplyTriage(_triage.Assess("Die Schaukel ist kaputt"), Saturday, Monday);
        var night = Saturday.AddHours(13);

        state.ApplyTriage(_triage.Assess("Jetzt brennt es neben dem Spielplatz!"), night, Monday);
        state.ApplyTriage(_triage.Assess("Feuerwehr ist da"), night.AddMinutes(5), Monday);

        Assert.Equal((true, night), (state.Urgent, state.DueAt));
    }
}
