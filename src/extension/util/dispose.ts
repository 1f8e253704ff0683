/** Anything with a `dispose()`; vscode.Disposable fits, as do our own services. */
export interface IDisposable {
  dispose(): void;
}

/** Disposes every item, collecting errors so one failing dispose does not strand the rest. */
export function disposeAll(items: Iterable<IDisposable>): void {
  const errors: unknown[] = [];
  for (const item of items) {
    try {
      item.dispose();
    } catch (e) {
      errors.push(e);
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, 'several disposables failed');
}

export function toDisposable(fn: () => void): IDisposable {
  let done = false;
  return {
    dispose: () => {
      if (!done) {
        done = true;
        fn();
      }
    },
  };
}

/**
 * Owns child disposables. Anything registered after `dispose()` is disposed at once, so a
 * late async result can never leak a timer or a socket.
 */
export abstract class Disposable implements IDisposable {
  private _disposed = false;
  private readonly _owned: IDisposable[] = [];

  get isDisposed(): boolean {
    return this._disposed;
  }

  dispose(): void {
    if (this._disposed) return;
    this._disposed = true;
    const owned = this._owned.splice(0).reverse();
    disposeAll(owned);
  }

  protected _register<T extends IDisposable>(item: T): T {
    if (this._disposed) item.dispose();
    else this._owned.push(item);
    return item;
  }
}
