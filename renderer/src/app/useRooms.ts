import { useEffect, useState } from 'react';
import { useEngine } from './RuntimeContext.tsx';

/**
 * Keeps rooms open while a component shows them (loaded from this device at once, synced when
 * online). `ready` turns true once every room is loaded locally — not when the server answered.
 */
export function useRooms(names: readonly string[]): { readonly ready: boolean; readonly error: string | null } {
  const engine = useEngine();
  const key = names.join('\n');
  const [state, setState] = useState<{ key: string; ready: boolean; error: string | null }>({ key: '', ready: false, error: null });
  useEffect(() => {
    if (!engine) return undefined;
    const list = key ? key.split('\n') : [];
    let live = true;
    const opened: string[] = [];
    Promise.all(
      list.map(async (name) => {
        await engine.client.open(name);
        opened.push(name);
      }),
    ).then(
      () => live && setState({ key, ready: true, error: null }),
      (error: unknown) => live && setState({ key, ready: false, error: (error as Error).message }),
    );
    return () => {
      live = false;
      for (const name of opened) void engine.client.release(name);
    };
  }, [engine, key]);
  return state.key === key ? { ready: state.ready, error: state.error } : { ready: false, error: null };
}
