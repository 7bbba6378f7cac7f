export { loadConfig, parseConfig, ConfigError, type NodeConfig } from './config.ts';
export { startNode, loadFhirModel, type RunningNode, type FhirModel } from './server.ts';
export { sampleBundle, testBsns } from './sample-data.ts';
