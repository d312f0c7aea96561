/**
 * The one place for design tokens: colours, spacing, radius, type. Components take their look
 * from here through Mantine's theme; no page-specific CSS.
 */
import { createTheme, type CSSVariablesResolver, type MantineColorsTuple } from '@mantine/core';

const plazaBlue: MantineColorsTuple = [
  '#edf2ff', '#dbe4ff', '#bac8ff', '#91a7ff', '#748ffc', '#5c7cfa', '#4c6ef5', '#4263eb', '#3b5bdb', '#364fc7',
];

export const theme = createTheme({
  primaryColor: 'plaza',
  primaryShade: { light: 7, dark: 5 },
  colors: { plaza: plazaBlue },
  fontFamily: 'Inter, ui-sans-serif, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  fontFamilyMonospace: 'ui-monospace, "JetBrains Mono", Menlo, Consolas, monospace',
  defaultRadius: 'md',
  headings: { fontWeight: '650' },
  focusRing: 'always',
  cursorType: 'pointer',
});

/** Layout tokens shared by the shell and the areas. */
export const layout = {
  headerHeight: 56,
  navbarWidth: 220,
  contentMaxWidth: 1200,
} as const;

/**
 * Accessibility overrides: Mantine's default "dimmed" grey fails WCAG AA contrast (3.3:1 on
 * white), so secondary text uses a darker grey in light mode and a lighter one in dark mode.
 */
export const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: { '--mantine-color-dimmed': 'var(--mantine-color-gray-7)', '--mantine-color-placeholder': 'var(--mantine-color-gray-7)' },
  dark: { '--mantine-color-dimmed': 'var(--mantine-color-dark-1)', '--mantine-color-placeholder': 'var(--mantine-color-dark-1)' },
});
