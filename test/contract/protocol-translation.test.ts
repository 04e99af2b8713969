import { expect } from 'chai';
import { fromAnthropicRequest } from '../../src/contract/anthropic-request.js';
import { toAnthropicError, toAnthropicMessage } from '../../src/contract/anthropic-response.js';
import { fromResponsesRequest } from '../../src/contract/responses-request.js';
import { newResponseFrame, toResponseObject } from '../../src/contract/responses-response.js';
import { GatewayError } from '../../src/errors.js';
import type { ChatCompletionResult } from '../../src/vocabulary/chat-results.js';

function result(message: Partial<ChatCompletionResult['choices'][number]['message']>, finishReason: ChatCompletionResult['choices'][number]['finishReason'] = 'stop'): ChatCompletionResult {
  return {
    id: 'gen-1',
    created: 1,
    model: 'test/model',
    provider: 'openrouter',
    attempts: 1,
    cacheStatus: 'MISS',
    choices: [{ index: 0, message: { role: 'assistant', content: null, reasoning: null, toolCalls: [], ...message }, finishReason }],
    usage: { promptTokens: 3, completionTokens: 4, totalTokens: 7, reasoningTokens: 2 },
  };
}

describe('Responses request translation', () => {
  it('merges consecutive function calls into one assistant turn and keeps images', () => {
    const { command, conversation } = fromResponsesRequest(
      {
        input: [
          { role: 'user', content: [{ type: 'input_text', text: 'Compare' }, { type: 'input_image', image_url: 'https://x/img.png', detail: 'low' }] },
          { type: 'function_call', call_id: 'a', name: 'one', arguments: '{}' },
          { type: 'function_call', call_id: 'b', name: 'two', arguments: '{"x":1}' },
          { type: 'function_call_output', call_id: 'a', output: [{ type: 'input_text', text: 'A' }] },
          { type: 'function_call_output', call_id: 'b', output: 'B' },
        ],
      },
      [{ role: 'user', content: 'earlier' }],
    );
    expect(conversation.map((message) => message.role)).to.deep.equal(['user', 'user', 'assistant', 'tool', 'tool']);
    expect(conversation[1]?.content).to.deep.equal([
      { type: 'text', text: 'Compare' },
      { type: 'image_url', imageUrl: { url: 'https://x/img.png', detail: 'low' } },
    ]);
    expect(conversation[2]?.toolCalls?.map((call) => call.id)).to.deep.equal(['a', 'b']);
    expect(conversation[3]).to.deep.include({ toolCallId: 'a', content: 'A' });
    expect(command.messages).to.have.length(5);
    expect(command.model).to.equal(undefined);
  });

  it('refuses a request with nothing to answer, naming input', () => {
    expect(() => fromResponsesRequest({ input: [{ type: 'reasoning' }] }, [])).to.throw(GatewayError, /no input/).with.property('param', 'input');
  });

  it('maps a named tool choice and json_object format', () => {
    const { command } = fromResponsesRequest({ input: 'x', tool_choice: { type: 'function', name: 'f' }, text: { format: { type: 'json_object' } } }, []);
    expect(command.providerOptions).to.deep.equal({ tool_choice: { type: 'function', function: { name: 'f' } }, response_format: { type: 'json_object' } });
  });
});

describe('Responses answer translation', () => {
  it('reports a cut answer as incomplete with OpenAI’s reason, and reasoning as a summary item', () => {
    const response = toResponseObject(result({ content: 'Partial', reasoning: 'Because' }, 'length'), newResponseFrame({ input: 'x', store: false }, 1_700_000_000_000));
    expect(response).to.deep.include({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' }, store: false, created_at: 1_700_000_000, output_text: 'Partial' });
    expect(response.output.map((item) => item.type)).to.deep.equal(['reasoning', 'message']);
    expect(response.usage?.output_tokens_details).to.deep.equal({ reasoning_tokens: 2 });
  });
});

describe('Anthropic translation', () => {
  it('maps tool_choice any to required, and thinking to a reasoning budget', () => {
    const { command, stream } = fromAnthropicRequest({ model: 'm', max_tokens: 10, stream: true, tool_choice: { type: 'any' }, thinking: { type: 'enabled', budget_tokens: 2048 }, messages: [{ role: 'user', content: 'hi' }] });
    expect(stream).to.equal(true);
    expect(command.providerOptions).to.deep.equal({ tool_choice: 'required', reasoning: { max_tokens: 2048 } });
  });

  it('marks failed tool results and keeps them before the user’s text', () => {
    const { command } = fromAnthropicRequest({
      model: 'm',
      max_tokens: 10,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'and now?' }, { type: 'tool_result', tool_use_id: 't1', is_error: true, content: 'boom' }] }],
    });
    expect(command.messages).to.deep.equal([
      { role: 'tool', toolCallId: 't1', content: 'Error: boom' },
      { role: 'user', content: 'and now?' },
    ]);
  });

  it('turns arguments that are not JSON into an input that keeps them, and errors into Anthropic types', () => {
    const message = toAnthropicMessage(result({ toolCalls: [{ id: 'c', name: 'f', arguments: 'not json' }] }, 'tool_calls'));
    expect(message.content).to.deep.equal([{ type: 'tool_use', id: 'c', name: 'f', input: { raw: 'not json' } }]);
    expect(message.stop_reason).to.equal('tool_use');
    expect(toAnthropicError(new GatewayError('provider_disabled', 'off')).error).to.deep.equal({ type: 'overloaded_error', message: 'off', code: 'provider_disabled' });
    expect(toAnthropicError(new GatewayError('upstream_unavailable', 'down')).error.type).to.equal('api_error');
  });
});
