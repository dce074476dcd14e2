import { describe, expect, it } from 'vitest';
import { diffDraft } from '../../../src/renderer/features/pipelines/draftDiff';

const server = {
  filter: "status = 'ok'",
  metrics: [
    { name: 'power_kw', formula: 'value * multiplier / 1000', unit: 'kW' },
    { name: 'energy_rate', formula: 'rate(energy_kwh, 1h)', unit: 'kWh/h' },
  ],
};

describe('the diff of a pipeline draft against the server', () => {
  it('is empty for the same definition, whitespace around formulas and an empty filter aside', () => {
    expect(
      diffDraft(server, { ...server, metrics: server.metrics.map((m) => ({ ...m, formula: ` ${m.formula} ` })) }),
    ).toEqual([]);
    expect(diffDraft({ filter: null, metrics: [] }, { filter: '  ', metrics: [] })).toEqual([]);
  });

  it('names each added, removed and changed metric, a changed filter and a new order', () => {
    const draft = {
      filter: null,
      metrics: [
        { name: 'energy_rate', formula: 'rate(energy_kwh, 1h)', unit: 'kWh/s' },
        { name: 'power_w', formula: 'value * multiplier', unit: 'W' },
      ],
    };
    expect(diffDraft(server, draft)).toEqual([
      { kind: 'filter', before: "status = 'ok'", after: null },
      { kind: 'changed', metric: 'energy_rate', formula: null, unit: { before: 'kWh/h', after: 'kWh/s' } },
      { kind: 'added', metric: 'power_w', formula: 'value * multiplier', unit: 'W' },
      { kind: 'removed', metric: 'power_kw', formula: 'value * multiplier / 1000', unit: 'kW' },
    ]);
    const swapped = { ...server, metrics: [server.metrics[1]!, server.metrics[0]!] };
    expect(diffDraft(server, swapped)).toEqual([
      { kind: 'reordered', before: ['power_kw', 'energy_rate'], after: ['energy_rate', 'power_kw'] },
    ]);
  });
});
