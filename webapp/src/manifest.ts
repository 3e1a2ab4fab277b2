// The plugin id, as in plugin.json.
export const pluginId = 'com.mmzoom.meetings';

// The post type of mmzoom's meeting cards.
export const postType = 'custom_mmzoom_meeting';

// The post type of the AI Companion summary replies mmzoom posts in a card's thread.
export const summaryPostType = 'custom_mmzoom_summary';
