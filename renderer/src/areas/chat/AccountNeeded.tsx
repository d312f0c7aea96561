/** Guests and signed-out visitors: the AI assistant spends money, so it is for members. */
import { IconMessageChatbot } from '@tabler/icons-react';
import { MembersOnly } from '../../ui/MembersOnly.tsx';

export function AccountNeeded({ guest }: { readonly guest: boolean }) {
  return (
    <MembersOnly
      guest={guest}
      icon={IconMessageChatbot}
      title="AI chat needs an account"
      why={{
        guest: 'You are browsing as a guest. Every answer of the AI assistant costs money, so it is for members with an account, each with their own budget.',
        signedOut: 'Sign in or create an account to talk with the AI assistant. Every answer costs money, so each member has their own budget.',
      }}
      benefits={[
        'Conversations are kept on your devices and readable offline.',
        'A spend meter shows what each session and each day costs.',
        ...(guest ? ['Creating an account keeps everything you did as a guest.'] : []),
      ]}
      testId="chat-needs-account"
    />
  );
}
