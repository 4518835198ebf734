DROP TABLE IF EXISTS cooperative_payouts, cooperative_members, cooperatives, project_beneficiaries, projects,
    action_items, meeting_model_cases, meeting_attendees, meetings;
