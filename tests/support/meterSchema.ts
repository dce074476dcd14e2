import type { BronzeColumn } from '../../src/shared/formula';

/** The Bronze columns of an energy-meter pipeline, as the formula checker and compiler see them. */
export const METER_BRONZE_SCHEMA: BronzeColumn[] = [
  { name: 'record_id', type: 'VARCHAR' },
  { name: 'pipeline_id', type: 'VARCHAR' },
  { name: 'series_id', type: 'VARCHAR' },
  { name: 'ts', type: 'TIMESTAMP WITH TIME ZONE' },
  { name: 'ingested_at', type: 'TIMESTAMP WITH TIME ZONE' },
  { name: 'raw', type: 'VARCHAR' },
  { name: 'value', type: 'DOUBLE' },
  { name: 'multiplier', type: 'DOUBLE' },
  { name: 'energy_kwh', type: 'DOUBLE' },
  { name: 'status', type: 'VARCHAR' },
];
