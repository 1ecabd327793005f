// Waiting for a condition on what a server sent: checked again each time a message arrives
// (`poke`), rejected after a time-out with a description of the state. Shared by the JSON-RPC
// client (lsp-client.ts) and the raw-bytes client (raw-wire.ts).
export class Waiter {
  private listeners: (() => void)[] = [];

  constructor(private readonly describeState: () => string) {}

  /** Call whenever something new has arrived. */
  poke(): void { for (const l of [...this.listeners]) l(); }

  waitFor<T>(pred: () => T | undefined | null | false, what: string, ms = 10_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const v = pred();
        if (v) { resolve(v); return true; }
        return false;
      };
      if (check()) return;
      const drop = (): void => { this.listeners = this.listeners.filter((l) => l !== listener); };
      const timer = setTimeout(() => { drop(); reject(new Error(`timed out waiting for ${what}; ${this.describeState()}`)); }, ms);
      const listener = (): void => { if (check()) { clearTimeout(timer); drop(); } };
      this.listeners.push(listener);
    });
  }
}
