/** Mocha's browser build (mocha/mocha.js), the part of its API the web entry uses. */
declare module 'mocha/mocha' {
  const mocha: {
    setup(options: { ui: string; reporter: string; timeout: number; color: boolean }): void;
    run(done: (failures: number) => void): unknown;
  };
  export default mocha;
}

/** @vscode/test-web's server (its CLI would download VS Code and a browser): the call test/integration/web/run.ts makes. */
declare module '@vscode/test-web/out/server/main' {
  import type { Server } from 'node:http';
  export function runServer(host: string, port: number, config: {
    extensionDevelopmentPath?: string;
    extensionTestsPath?: string;
    build: { type: 'static'; location: string; quality: 'stable' | 'insider'; version: string };
    folderMountPath?: string;
    printServerLog?: boolean;
    coi?: boolean;
  }): Promise<Server>;
}
