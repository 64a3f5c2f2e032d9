/** See find-chromium.mjs. */
export declare function findChromium(options?: { env?: NodeJS.ProcessEnv; home?: string; fixed?: string[] }): string;
