// Attack: another program running as the same user starts the installed app with
// ELECTRON_RUN_AS_NODE, NODE_OPTIONS=--require or --inspect, or drops a resources/app folder
// or edits app.asar, and so runs its own code inside the signed app, next to the Vault token.
// Electron's fuses switch those off in the packaged binary. This reads electron-builder.yml
// twice, as YAML and through electron-builder's own loader, and checks every fuse the app
// depends on, then what electron-builder will write into the binary's fuse wire.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '../../../..');
const require = createRequire(join(ROOT, 'package.json'));

/** Every fuse, its required value and why. A missing or different value fails. */
const REQUIRED_FUSES = {
  runAsNode: false,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  onlyLoadAppFromAsar: true,
  enableEmbeddedAsarIntegrityValidation: true,
  enableCookieEncryption: true,
  grantFileProtocolExtraPrivileges: false,
} as const;

type Yaml = { load(text: string): unknown };
type BuilderConfig = { electronFuses?: Record<string, unknown> | null };

describe('Electron fuses of the packaged app', () => {
  it('electron-builder.yml sets every fuse, each to its locked-down value, and no other', () => {
    const yaml = require('js-yaml') as Yaml;
    const config = yaml.load(readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8')) as BuilderConfig;
    expect(config.electronFuses).toEqual(REQUIRED_FUSES);
  });

  it('electron-builder reads the same fuses, accepts the configuration, and writes them to the fuse wire', async () => {
    const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
      getConfig(projectDir: string, configPath: string | null, fromOptions: null): Promise<BuilderConfig>;
      validateConfiguration(config: BuilderConfig, debug: { add(): void; isEnabled: boolean }): Promise<void>;
    };
    const config = await getConfig(ROOT, null, null);
    expect(config.electronFuses).toEqual(REQUIRED_FUSES);
    await validateConfiguration(config, { add: () => undefined, isEnabled: false });

    // electron-builder's own mapping onto @electron/fuses' wire positions.
    const { PlatformPackager } = require('app-builder-lib') as {
      PlatformPackager: { prototype: { generateFuseConfig(fuses: unknown): Promise<Record<string, unknown>> } };
    };
    type Fuse =
      | 'RunAsNode'
      | 'EnableCookieEncryption'
      | 'EnableNodeOptionsEnvironmentVariable'
      | 'EnableNodeCliInspectArguments'
      | 'EnableEmbeddedAsarIntegrityValidation'
      | 'OnlyLoadAppFromAsar'
      | 'LoadBrowserProcessSpecificV8Snapshot'
      | 'GrantFileProtocolExtraPrivileges';
    const { FuseV1Options } = require('@electron/fuses') as { FuseV1Options: Record<Fuse, number> };
    const wire = await PlatformPackager.prototype.generateFuseConfig.call(null, config.electronFuses);
    expect(wire).toMatchObject({
      [FuseV1Options.RunAsNode]: false,
      [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
      [FuseV1Options.EnableNodeCliInspectArguments]: false,
      [FuseV1Options.OnlyLoadAppFromAsar]: true,
      [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
      [FuseV1Options.EnableCookieEncryption]: true,
      [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
    });
    // Every fuse this @electron/fuses knows is either set above or deliberately left at its default.
    const known = Object.keys(FuseV1Options).filter((k) => Number.isNaN(Number(k)));
    expect(known.sort()).toEqual(
      [
        'RunAsNode',
        'EnableCookieEncryption',
        'EnableNodeOptionsEnvironmentVariable',
        'EnableNodeCliInspectArguments',
        'EnableEmbeddedAsarIntegrityValidation',
        'OnlyLoadAppFromAsar',
        // Left at its default (off): a separate V8 snapshot for the browser process is a startup
        // optimisation, not a security switch.
        'LoadBrowserProcessSpecificV8Snapshot',
        'GrantFileProtocolExtraPrivileges',
      ].sort(),
    );
  }, 60_000);
});
