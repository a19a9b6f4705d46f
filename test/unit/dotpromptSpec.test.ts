// Runs Dotprompt's shared conformance suite (../shared/peer-tests/dotprompt-spec, format in its README)
// through Promptscope's render path: every case must produce exactly the RenderedPrompt the spec expects.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import { PromptDocument, memoryPartials, renderPrompt, type RenderPromptOptions } from '../../src/core/prompt';

const repoRoot = join(__dirname, '..', '..');
const specDir = join(repoRoot, '..', 'shared', 'peer-tests', 'dotprompt-spec');

interface SpecSuite {
    name: string;
    template: string;
    data?: SpecData;
    schemas?: Record<string, unknown>;
    partials?: Record<string, string>;
    resolverPartials?: Record<string, string>;
    tests: { desc?: string; data?: SpecData; options?: RenderPromptOptions['metadata']; expect: Record<string, unknown> }[];
}

interface SpecData {
    input?: Record<string, unknown>;
    context?: Record<string, unknown>;
    messages?: RenderPromptOptions['messages'];
    docs?: RenderPromptOptions['docs'];
}

function specFiles(dir: string): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
        const full = join(dir, entry.name);
        if (entry.isDirectory()) return specFiles(full);
        return entry.name.endsWith('.yaml') ? [full] : [];
    }).sort();
}

/** JSON round trip: drops `undefined` fields, as the reference runner's `toEqual` ignores them. */
function plain(value: unknown): unknown {
    return JSON.parse(JSON.stringify(value));
}

if (!existsSync(specDir)) {
    test('Dotprompt spec suite', { skip: `shared spec suite not found at ${specDir} (CI places shared/ beside the repository)` }, () => {});
} else {
    const files = specFiles(specDir);
    let cases = 0;
    for (const file of files) {
        const suites = parse(readFileSync(file, 'utf8')) as SpecSuite[];
        describe(relative(specDir, file), () => {
            for (const suite of suites) {
                describe(suite.name, () => {
                    for (const tc of suite.tests) {
                        cases++;
                        test(tc.desc ?? 'renders as expected', async () => {
                            const data: SpecData = { ...suite.data, ...tc.data };
                            const rendered = await renderPrompt(PromptDocument.fromText(suite.template), {
                                input: data.input,
                                context: data.context,
                                messages: data.messages,
                                docs: data.docs,
                                partials: memoryPartials({ ...suite.resolverPartials, ...suite.partials }),
                                schemas: suite.schemas,
                                metadata: tc.options,
                            });
                            const { raw, ...result } = rendered;
                            const { raw: expectedRaw, ...expected } = tc.expect;
                            assert.deepEqual(plain(result), {
                                ...expected,
                                ext: expected.ext ?? {},
                                config: expected.config ?? {},
                                metadata: expected.metadata ?? {},
                            });
                            if (expectedRaw !== undefined) assert.deepEqual(plain(raw), expectedRaw);
                        });
                    }
                });
            }
        });
    }
    test('the suite is complete (117 cases in the pinned copy)', () => {
        assert.ok(files.length >= 13, `only ${files.length} spec files found`);
        assert.ok(cases >= 117, `only ${cases} cases found`);
    });
}
