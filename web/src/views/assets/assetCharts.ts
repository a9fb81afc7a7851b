import type * as api from '@/api/client';

/** One series of the home chart: a zone of the catalog, or (key null) assets outside any system. */
export interface ZoneSeries {
    key: string | null;
    name: string;
    color: string;
}

/** Zone colours (dark enough for white text and for 3:1 against white); the rest grey. */
const kZoneColors = ['#9b2226', '#1d4f91', '#276b2b', '#8a5a00', '#6a3d9a', '#00606b'];
export const kNoSystemColor = '#5f6368';

/** The series in the catalog's zone order, then "no system" when any asset is outside one. */
export function zoneSeries(zones: api.Zone[], stats: api.AssetStats, noSystemName: string): ZoneSeries[] {
    const out: ZoneSeries[] = zones.map((z, i) => ({ key: z.key, name: z.name, color: kZoneColors[i % kZoneColors.length]! }));
    // A zone no longer in the catalog still has its assets counted.
    for (const b of stats.by_zone) {
        if (b.zone !== null && !out.some((s) => s.key === b.zone)) {
            out.push({ key: b.zone, name: b.zone_name ?? b.zone, color: kZoneColors[out.length % kZoneColors.length]! });
        }
    }
    if (stats.by_zone.some((b) => b.zone === null && b.count > 0)) out.push({ key: null, name: noSystemName, color: kNoSystemColor });
    return out;
}

/** The count of active assets of one zone (null: outside any system) at one confidentiality level. */
export function zoneCount(stats: api.AssetStats, zone: string | null, level: string): number {
    return stats.by_zone.filter((b) => b.zone === zone && b.confidentiality === level).reduce((n, b) => n + b.count, 0);
}
