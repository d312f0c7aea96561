/**
 * Board sounds made with WebAudio (short tones, no audio files), and the player's on/off choice
 * kept on this device. The AudioContext is created on first use, after a click or key press, as
 * browsers require.
 */
import { useCallback, useSyncExternalStore } from 'react';
import type { ChessSound } from './model/game-controller.ts';

const STORAGE_KEY = 'plaza.chess.sound';

/** Frequencies (Hz) and lengths (ms) of the tones of each sound. */
const TONES: Readonly<Record<ChessSound, ReadonlyArray<readonly [number, number]>>> = {
  move: [[520, 60]],
  capture: [[340, 90]],
  check: [[760, 70], [980, 90]],
  end: [[660, 120], [520, 120], [390, 200]],
  notify: [[880, 80], [880, 80]],
};

let context: AudioContext | null = null;

export function playSound(sound: ChessSound): void {
  if (!soundEnabled()) return;
  const AudioContextClass = globalThis.AudioContext as typeof AudioContext | undefined;
  if (AudioContextClass === undefined) return;
  try {
    context ??= new AudioContextClass();
    let at = context.currentTime + 0.01;
    for (const [frequency, ms] of TONES[sound]) {
      const oscillator = context.createOscillator();
      const gain = context.createGain();
      oscillator.type = 'sine';
      oscillator.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, at);
      gain.gain.exponentialRampToValueAtTime(0.15, at + 0.01);
      gain.gain.exponentialRampToValueAtTime(0.0001, at + ms / 1000);
      oscillator.connect(gain).connect(context.destination);
      oscillator.start(at);
      oscillator.stop(at + ms / 1000 + 0.02);
      at += ms / 1000 + 0.03;
    }
  } catch {
    // A browser that refuses audio just stays silent.
  }
}

const listeners = new Set<() => void>();

function soundEnabled(): boolean {
  try {
    return globalThis.localStorage?.getItem(STORAGE_KEY) !== 'off';
  } catch {
    return true;
  }
}

function setSoundEnabled(on: boolean): void {
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, on ? 'on' : 'off');
  } catch {
    // Not remembered; the choice still holds for this page.
  }
  for (const listener of listeners) listener();
}

/** The sound switch: on by default, remembered on this device. */
export function useSoundSetting(): readonly [boolean, (on: boolean) => void] {
  const on = useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    soundEnabled,
  );
  return [on, useCallback((next: boolean) => setSoundEnabled(next), [])];
}
