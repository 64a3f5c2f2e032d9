import type { PluginInfo, PluginLookup } from '../spec/validate.js';
import { discoverStages, type StageLocation } from './discover.js';
import { loadPlugin, type LoadedPlugin } from './load.js';

/**
 * The stage plugins of one project. Plugins are imported on demand: a cached re-run imports
 * only the stages its spec uses, and none of them pulls in the tensor engine until it runs.
 */
export class PluginRegistry {
  private readonly locations: Map<string, StageLocation>;
  private readonly loaded = new Map<string, LoadedPlugin>();

  constructor(projectDir: string) {
    this.locations = discoverStages(projectDir);
  }

  names(): string[] {
    return [...this.locations.keys()].sort();
  }

  location(name: string): StageLocation | undefined {
    return this.locations.get(name);
  }

  async load(name: string): Promise<LoadedPlugin | undefined> {
    const cached = this.loaded.get(name);
    if (cached) return cached;
    const location = this.locations.get(name);
    if (!location) return undefined;
    const plugin = await loadPlugin(location);
    this.loaded.set(name, plugin);
    return plugin;
  }

  async loadMany(names: Iterable<string>): Promise<void> {
    for (const name of new Set(names)) await this.load(name);
  }

  /** Synchronous view over already-loaded plugins, as spec validation needs it. */
  catalog(): PluginLookup {
    return {
      get: (name) => this.loaded.get(name)?.definition,
      names: () => this.names(),
    };
  }

  loadedPlugin(name: string): LoadedPlugin {
    const plugin = this.loaded.get(name);
    if (!plugin) throw new Error(`plugin ${name} was not loaded before use`);
    return plugin;
  }
}
