import { IconMessageChatbot } from '@tabler/icons-react';
import { AreaIntro } from '../../app/AreaIntro.tsx';

export function ChatPage() {
  return (
    <AreaIntro
      title="Chat"
      icon={IconMessageChatbot}
      summary="Talk with an AI assistant whose spending is capped on this device and again on the server."
      features={[
        'Streamed answers with markdown and code, a stop button and a model picker with prices',
        'A spend meter for this session and today, and clear messages when a budget is reached',
        'Threads kept on this device and readable offline',
      ]}
    />
  );
}
