import type { ChatMessage } from '../prompt/chatMessages';
import { programAidedMessages } from '../reasoning/programAided';
import { followUpMessages, selfAskDefaults, selfAskMessages } from '../reasoning/selfAsk';
import type { TrainingExample } from './trainingTasks';

/**
 * The whole conversation an example teaches, in the turns the model reads at inference: the prompt's turns as the
 * strategy named by `example.strategy` shapes them (the same functions the strategies call, so the training text and
 * the inference text cannot drift apart), then the reply, or the reply's turns.
 */
export function trainingConversation(example: TrainingExample, prompt: readonly ChatMessage[]): ChatMessage[] {
    const replyTurns: ChatMessage[] = typeof example.reply === 'string' ? [{ role: 'model', text: example.reply }] : example.reply;
    switch (example.strategy) {
        case 'program-aided': return [...programAidedMessages(prompt), ...replyTurns];
        case 'self-ask': return [...selfAskMessages(prompt, selfAskDefaults), ...replyTurns];
        case 'self-ask-follow-up': {
            const question = example.input.question;
            if (question === undefined) throw new RangeError('a self-ask follow-up example needs input.question');
            return [...followUpMessages(question), ...replyTurns];
        }
        case undefined: return [...prompt, ...replyTurns];
    }
}
