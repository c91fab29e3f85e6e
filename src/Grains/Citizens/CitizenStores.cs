using GoldbachActors.Grains.Broadcasts;
using GoldbachActors.Grains.History;
using GoldbachActors.Grains.Media;
using GoldbachActors.Grains.Privacy;

namespace GoldbachActors.Grains.Citizens;

/// <summary>
/// What a citizen keeps outside its grain state: the archived history pages, the media blobs, its rows in the
/// broadcasts it received (read for an export), the erasure tombstones, and the sweep that clears all of them.
/// </summary>
public sealed class CitizenStores(
    IConversationHistoryStore history, MediaDownloader media, IBroadcastStore broadcasts, IErasureTombstones tombstones, ErasureSweep sweep)
{
    public IConversationHistoryStore History => history;

    public MediaDownloader Media => media;

    public IBroadcastStore Broadcasts => broadcasts;

    public IErasureTombstones Tombstones => tombstones;

    public ErasureSweep Sweep => sweep;
}
