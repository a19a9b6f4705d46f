// Scenarios issue 8 asks for whose features have not landed yet. Each is a node:test TODO (reported as
// "todo", never as a pass) saying what it will assert once its feature exists; move it into a suite file
// (with its own code-server) when the feature lands. No code-server is started for this file.
import { describe, test } from 'node:test';

describe('later features (TODO, not run)', () => {
    test.todo('run prompt: "Promptscope: Run Prompt" on hello.prompt streams output into the output view/panel; text grows while generating, timing line at the end (issue 3)');
    test.todo('playground: open the playground webview, change the temperature slider, Run, then Stop; tokens stop arriving and the Run button is enabled again (issue 6)');
    test.todo('token probabilities: panel shows the generated tokens; hovering one shows its top alternatives with probabilities (issue 5)');
    test.todo('attention: panel shows a heatmap (a canvas/svg with cells) for the chosen layer and head (issue 5)');
    test.todo('LoRA A/B compare: two columns, base and adapter, each with its own generated text (issue 5)');
    test.todo('XSS: a model output containing <img src=x onerror=…> and </script> renders as text in every webview; no script runs (page console/CSP listener sees no violation or side effect) (issues 5, 6)');
    test.todo('runtime host killed mid-run: during a streaming run the host is SIGKILLed; the run shows "runtime stopped" and the next run succeeds (issues 2, 3)');
});
