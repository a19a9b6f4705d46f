/**
 * Turns the quantizer's per-tensor progress into `Progress.report` steps (no `vscode` import, so unit tests run it):
 * VS Code's notification bar only moves forward by increments, and the message says how many tensors are done.
 */
import type { QuantizeProgress } from '../../shared/runtimeApi';
import type { ProgressStep } from '../loadProgress';

export class QuantizeProgressTracker {
    private reported = 0;

    update(progress: QuantizeProgress): ProgressStep {
        const fraction = progress.tensorsTotal > 0 ? Math.min(1, Math.max(0, progress.tensorsDone / progress.tensorsTotal)) : 0;
        const increment = Math.max(0, fraction * 100 - this.reported);
        this.reported += increment;
        return { message: `${progress.tensorsDone} of ${progress.tensorsTotal} tensors`, increment };
    }
}
