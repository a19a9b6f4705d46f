import { presets, type PresetName } from '../playground/form';
import type { DecodingSettings, SampleDecoding } from '../../../shared/decoding';

/** A sampling preset of the playground as a sample's settings (the playground's numbers, not a copy of them). */
export function samplePreset(name: PresetName, seed: number): SampleDecoding {
    const p = presets[name];
    return {
        method: 'sample', temperature: Number(p.temperature), topK: Number(p.topK), topP: Number(p.topP), minP: Number(p.minP),
        repeatPenalty: Number(p.repeatPenalty), seed,
    };
}

/** The columns a new lab starts with: greedy, a beam of 4, and the balanced preset with seed 1. */
export function defaultColumns(): DecodingSettings[] {
    return [
        { method: 'greedy' },
        { method: 'beam', beams: 4, lengthPenalty: 1, nBest: 3, groups: 1, diversityPenalty: 0 },
        samplePreset('balanced', 1),
    ];
}

/** A column's heading: the method and every setting that decides its output. */
export function columnTitle(settings: DecodingSettings): string {
    switch (settings.method) {
        case 'greedy': return 'Greedy';
        case 'beam': return `Beam k=${settings.beams}, α=${settings.lengthPenalty}, ${settings.nBest} best`
            + ((settings.groups ?? 1) > 1 ? `, ${settings.groups} groups λ=${settings.diversityPenalty ?? 0}` : '');
        case 'sample': return `Sample T=${settings.temperature}, top-k ${settings.topK}, top-p ${settings.topP}, min-p ${settings.minP}, `
            + `repeat ${settings.repeatPenalty}, seed ${settings.seed}`;
    }
}
