import { Disposable, ErrorCodes, Message, type DataCallback, type MessageReader, type MessageWriter, type RequestMessage, type ResponseMessage } from 'vscode-languageserver/node.js';

// LSP lifecycle rules enforced before any handler sees a message, so every handler can assume
// an initialized, running server:
// - before `initialize`: requests get ServerNotInitialized (-32002); notifications are dropped,
//   except `exit`;
// - after `shutdown`: requests get InvalidRequest (-32600); notifications other than `exit` are
//   dropped. (`exit` then ends the process with 0, or 1 without shutdown: vscode-languageserver.)

export type Phase = 'new' | 'running' | 'shut-down';

export interface Gate { reader: MessageReader; readonly phase: Phase }

export function lifecycleGate(inner: MessageReader, writer: MessageWriter): Gate {
  let phase: Phase = 'new';
  const refuse = (req: RequestMessage, code: number, message: string): void => {
    const res: ResponseMessage = { jsonrpc: '2.0', id: req.id, error: { code, message } };
    void writer.write(res).catch(() => { /* the client is gone: nothing to answer */ });
  };
  const filter = (msg: Message, pass: DataCallback): void => {
    if (Message.isRequest(msg)) {
      if (phase === 'new' && msg.method !== 'initialize') return refuse(msg, ErrorCodes.ServerNotInitialized, `the server is not initialized: send "initialize" before "${msg.method}"`);
      if (phase === 'running' && msg.method === 'initialize') return refuse(msg, ErrorCodes.InvalidRequest, 'the server is already initialized');
      if (phase === 'shut-down') return refuse(msg, ErrorCodes.InvalidRequest, `the server is shut down: "${msg.method}" is not accepted after "shutdown"`);
      if (msg.method === 'initialize') phase = 'running';
      else if (msg.method === 'shutdown') phase = 'shut-down';
      return pass(msg);
    }
    if (Message.isNotification(msg) && msg.method !== 'exit' && phase !== 'running') return;
    pass(msg);
  };
  const reader: MessageReader = {
    onError: inner.onError,
    onClose: inner.onClose,
    onPartialMessage: inner.onPartialMessage,
    listen: (callback: DataCallback): Disposable => inner.listen((msg) => filter(msg, callback)),
    dispose: () => inner.dispose(),
  };
  return { reader, get phase() { return phase; } };
}
