export { loadConfig, parseConfig, ConfigError, type NodeConfig } from './config.ts';
export { startNode, loadFhirModel, type RunningNode, type FhirModel } from './server.ts';
export { startRegion, type RunningRegion, type RegionRunOptions } from './region/run-region.ts';
export { demoPopulation, MARIA_BSN, type DemoClient } from './demo/population.ts';
export { seedBundle } from './demo/seed.ts';
export { seedDemoRegion } from './demo/seed-region.ts';
