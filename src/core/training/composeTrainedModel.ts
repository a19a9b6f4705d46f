import { GgmlType, GgufFile, gguf, ggmlTypeName, isSupportedGgmlType, writeGguf, type GgufMetadata, type GgufTensorSource } from '../gguf';
import type { FixtureTensorType } from '../fixtures/fixtureDimensions';
import { tensorTypes } from '../fixtures/resolveFixture';

/** Where a trained model came from, written into its metadata under `promptscope.training.*`. */
export interface TrainingProvenance {
    task: string;
    seed: number;
    /** SHA-256 of the training corpus (the token ids of every example, in order). */
    corpusSha256: string;
    /** The command line that makes this file again. */
    command: string;
    epochs: number;
    /** Validation loss after the last epoch, in nats per token. */
    validationLoss: number;
}

/** The `promptscope.training.*` keys that say where a trained model (or adapter) came from. */
export function provenanceMetadata(provenance: TrainingProvenance): GgufMetadata {
    return new Map([
        ['promptscope.training.task', gguf.str(provenance.task)],
        ['promptscope.training.seed', gguf.u32(provenance.seed)],
        ['promptscope.training.corpus_sha256', gguf.str(provenance.corpusSha256)],
        ['promptscope.training.command', gguf.str(provenance.command)],
        ['promptscope.training.epochs', gguf.u32(provenance.epochs)],
        ['promptscope.training.validation_loss', gguf.f32(provenance.validationLoss)],
    ]);
}

/**
 * The trained model as Promptscope ships it: the base model's metadata (tokenizer, chat template, context length:
 * llama.cpp's writer sets the context length to the training window and writes its own reading of the vocabulary),
 * a new name and the training provenance, with the trained tensors of `checkpoint` (same names and shapes as the
 * base's): matrices stored as `matrixType` (F16 or Q8_0 make a file small enough to commit), norms and other vectors
 * in F32. The file appears at `out` only once complete.
 */
export async function composeTrainedModel(base: string, checkpoint: string, out: string, name: string, provenance: TrainingProvenance,
    matrixType: FixtureTensorType = 'f32'): Promise<{ bytes: number }> {
    const { ggml: matrixGgml, fileType } = tensorTypes[matrixType];
    const baseFile = await GgufFile.open(base);
    const trained = await GgufFile.open(checkpoint);
    try {
        const trainedTensors = new Map(trained.header.tensors.map(t => [t.name, t]));
        for (const tensor of baseFile.header.tensors) {
            const other = trainedTensors.get(tensor.name);
            if (!other) throw new Error(`${checkpoint} has no tensor ${tensor.name}: it is not a training checkpoint of ${base}`);
            if (other.shape.join() !== tensor.shape.join() || other.type !== tensor.type) {
                throw new Error(`${checkpoint}'s ${tensor.name} is ${ggmlTypeName(other.type)} [${other.shape}], the base model's ${ggmlTypeName(tensor.type)} [${tensor.shape}]`);
            }
            if (!isSupportedGgmlType(tensor.type)) throw new Error(`${tensor.name} is ${ggmlTypeName(tensor.type)}: a trained fixture has F32, F16 or Q8_0 tensors`);
        }
        const metadata: GgufMetadata = new Map(baseFile.header.metadata);
        metadata.delete('general.alignment');
        metadata.set('general.name', gguf.str(name));
        metadata.set('general.file_type', gguf.u32(fileType));
        for (const [key, value] of provenanceMetadata(provenance)) metadata.set(key, value);
        const tensors: GgufTensorSource[] = [];
        for (const tensor of baseFile.header.tensors) {
            const matrix = tensor.shape.length >= 2 && tensor.shape[0]! % 32 === 0;
            tensors.push({ name: tensor.name, shape: tensor.shape, type: matrix ? matrixGgml : tensor.type as GgmlType, data: await trained.readTensor(tensor.name) });
        }
        const written = await writeGguf(out, { metadata, tensors, alignment: baseFile.header.alignment });
        return { bytes: written.bytes };
    } finally {
        await baseFile.close();
        await trained.close();
    }
}
