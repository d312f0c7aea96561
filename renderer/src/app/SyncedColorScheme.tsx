import { useMantineColorScheme } from '@mantine/core';
import { useEffect } from 'react';
import { SETTINGS_KV_ID } from '../engine/projections/user-settings.ts';
import { useObservable } from './RuntimeContext.tsx';

/** Follows the colour scheme saved in the user's synced settings (chosen on any device). */
export function SyncedColorScheme() {
  const { setColorScheme } = useMantineColorScheme();
  const scheme = useObservable((engine) => engine.db.kv.findOne(SETTINGS_KV_ID).$, []);
  const wanted = scheme?.data.colorScheme;
  useEffect(() => {
    if (wanted === 'light' || wanted === 'dark' || wanted === 'auto') setColorScheme(wanted);
  }, [wanted, setColorScheme]);
  return null;
}
