// The spec's 200 body for Create Webhook Endpoint, as the bench server sends it and the CPU figure decodes it.
export const okBody = Buffer.from(JSON.stringify({
  data: {
    endpoint_id: "ep_abc123def456",
    url: "https://example.com/webhook",
    events: ["avatar_video.success", "avatar_video.fail"],
    status: "enabled",
    created_at: "2024-04-01T12:00:00Z",
    secret: "whsec_abc123def456"
  }
}))
