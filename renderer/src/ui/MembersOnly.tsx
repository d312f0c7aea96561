/** An area that guests and signed-out visitors cannot use: why, what membership brings, and the way in. */
import { Button, List } from '@mantine/core';
import { IconUserPlus } from '@tabler/icons-react';
import type { ComponentType, ReactNode } from 'react';
import { Link } from 'react-router';
import { IntroCard } from './IntroCard.tsx';

export interface MembersOnlyProps {
  readonly guest: boolean;
  readonly icon: ComponentType<{ size?: number }>;
  readonly title: string;
  /** Why it is for members, told to a guest and to a signed-out visitor. */
  readonly why: { readonly guest: string; readonly signedOut: string };
  readonly benefits: readonly ReactNode[];
  readonly testId: string;
}

export function MembersOnly({ guest, icon, title, why, benefits, testId }: MembersOnlyProps) {
  return (
    <IntroCard
      icon={icon}
      title={title}
      text={guest ? why.guest : why.signedOut}
      points={benefits.map((benefit, index) => (
        <List.Item key={index}>{benefit}</List.Item>
      ))}
      actions={
        <Button component={Link} to="/account" leftSection={<IconUserPlus size={18} />}>
          {guest ? 'Create an account' : 'Sign in or create an account'}
        </Button>
      }
      testId={testId}
    />
  );
}
