import { createContext, useContext, useMemo, useSyncExternalStore, type ReactNode } from 'react';
import type { Observable } from 'rxjs';
import type { SyncStatus } from '../engine/sync-client.ts';
import type { SessionState } from '../session/session-manager.ts';
import type { EngineHandle, PlazaRuntime } from './runtime.ts';

const RuntimeContext = createContext<PlazaRuntime | null>(null);

export function RuntimeProvider({ runtime, children }: { readonly runtime: PlazaRuntime; readonly children: ReactNode }) {
  return <RuntimeContext.Provider value={runtime}>{children}</RuntimeContext.Provider>;
}

export function useRuntime(): PlazaRuntime {
  const runtime = useContext(RuntimeContext);
  if (!runtime) throw new Error('useRuntime() outside <RuntimeProvider>');
  return runtime;
}

/** The latest value of a BehaviorSubject-like source, re-rendering on change. */
export function useSubject<T>(subject: { readonly value: T; subscribe(observer: (value: T) => void): { unsubscribe(): void } }): T {
  return useSyncExternalStore(
    (onChange) => {
      const subscription = subject.subscribe(() => onChange());
      return () => subscription.unsubscribe();
    },
    () => subject.value,
  );
}

export function useSession(): SessionState {
  return useSubject(useRuntime().session.state$);
}

export function useEngine(): EngineHandle | null {
  return useSubject(useRuntime().engine$);
}

export function useSyncStatus(): SyncStatus | null {
  const engine = useEngine();
  const store = useMemo(
    () => ({
      subscribe: (onChange: () => void) => {
        if (!engine) return () => undefined;
        const subscription = engine.client.status$.subscribe(() => onChange());
        return () => subscription.unsubscribe();
      },
      snapshot: () => engine?.client.status$.value ?? null,
    }),
    [engine],
  );
  return useSyncExternalStore(store.subscribe, store.snapshot);
}

/** Adapts an observable to `useSyncExternalStore`: the latest value, and change callbacks. */
class ObservableStore<T> {
  private value: T | undefined;
  private readonly source: Observable<T> | null;

  constructor(source: Observable<T> | null) {
    this.source = source;
  }

  readonly subscribe = (onChange: () => void): (() => void) => {
    if (!this.source) return () => undefined;
    const subscription = this.source.subscribe((next) => {
      this.value = next;
      onChange();
    });
    return () => subscription.unsubscribe();
  };

  readonly snapshot = (): T | undefined => this.value;
}

/**
 * Subscribes to a reactive RxDB query (or any observable) built from the engine; `undefined`
 * while loading or without an engine. `deps` are the primitive inputs of `factory`.
 */
export function useObservable<T>(factory: (engine: EngineHandle) => Observable<T> | null, deps: ReadonlyArray<string | number | boolean | null | undefined>): T | undefined {
  const engine = useEngine();
  const key = JSON.stringify(deps);
  // A render may still see a signed-out identity's engine after its database closed; querying it would throw.
  // eslint-disable-next-line react-hooks/exhaustive-deps -- `key` stands for the caller's inputs
  const store = useMemo(() => new ObservableStore(engine && !engine.db.closed ? factory(engine) : null), [engine, key]);
  return useSyncExternalStore(store.subscribe, store.snapshot);
}
