import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** A missing build tool: what to install, with the Debian/Ubuntu package that provides it. */
export interface MissingTool {
    tool: string;
    debianPackage: string;
}

/** The first executable called `name` on `PATH`, or undefined. */
export function findOnPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
    const path = env.PATH ?? env.Path ?? '';
    for (const folder of path.split(delimiter)) {
        if (folder === '') continue;
        const candidate = join(folder, name);
        try {
            accessSync(candidate, constants.X_OK);
            if (statSync(candidate).isFile()) return candidate;
        } catch {
            // not here
        }
    }
    return undefined;
}

/**
 * Build tools the CPU backend build needs that are not on `PATH`: cmake, a C and a C++ compiler (ggml has both),
 * ninja or make (cmake's generator), git (clones node-llama-cpp's bundled source).
 */
export function missingBuildTools(env: NodeJS.ProcessEnv = process.env): MissingTool[] {
    const missing: MissingTool[] = [];
    const any = (names: string[]) => names.some(name => findOnPath(name, env));
    if (!findOnPath('cmake', env)) missing.push({ tool: 'cmake', debianPackage: 'cmake' });
    if (!any(['cc', 'gcc', 'clang'])) missing.push({ tool: 'a C compiler (gcc)', debianPackage: 'build-essential' });
    if (!any(['c++', 'g++', 'clang++'])) missing.push({ tool: 'a C++ compiler (g++)', debianPackage: 'build-essential' });
    if (!any(['ninja', 'make'])) missing.push({ tool: 'make', debianPackage: 'build-essential' });
    if (!findOnPath('git', env)) missing.push({ tool: 'git', debianPackage: 'git' });
    return missing;
}

export function describeMissingTools(missing: MissingTool[]): string {
    const tools = missing.map(m => m.tool).join(', ');
    const packages = [...new Set(missing.map(m => m.debianPackage))].join(' ');
    return `Cannot build the optimized CPU backend: ${tools} not found on PATH. `
        + `Install ${missing.length === 1 ? 'it' : 'them'} (Debian/Ubuntu: sudo apt-get install ${packages}) and run \`promptscope build-runtime\` `
        + '(VS Code: Promptscope: Build Optimized Runtime). The prebuilt runtime stays in use.';
}
